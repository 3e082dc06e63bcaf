# Helpers for the training CLI tests: sourced after lib.sh, never run.
FASHION=/usr/share/datasets/fashion-mnist

# expect_error_line TOOL: stderr is one "TOOL: error: ..." or "TOOL: invalid: ..." line.
expect_error_line() {
  if [ "$(wc -l <"$T/err")" -ne 1 ] || ! grep -Eq "^$1: (error|invalid): " "$T/err"; then
    fail "expected one '$1: error|invalid:' line, got: $(cat "$T/err")"
  else
    pass
  fi
}

# field NAME FILE: the hex after "NAME " in pot-train-stage's plain output.
field() { awk -v k="$1" '$1 == k {print $2}' "$2"; }

# json_field NAME FILE: a string or number field of a one-line JSON object.
json_field() { grep -o "\"$1\": \"\?[^,\"}]*" "$2" | sed 's/.*: "\?//'; }

employer_key() { [ -f "$T/emp.pem" ] || pot-keygen -o "$T/emp.pem" >/dev/null; }
