# bench/train_stage/stage_repo.sh, sourced by the thread benches: a repository of one stage.
# make_stage_repo BIN DIR SAMPLES B PROFILE ARCH: DIR/emp.pem and DIR/repo (SAMPLES samples of
# Fashion-MNIST, SGD lr 0.05 momentum 0.9), then a line naming the machine and its load.
make_stage_repo() {
  "$1/pot-keygen" -o "$2/emp.pem" >/dev/null
  "$1/pot-partition" -q -k "$2/emp.pem" -o "$2/repo" --samples-per-stage "$3" --limit "$3" \
    -b "$4" --lr 0.05 --momentum 0.9 --profile "$5" -a "$6" >/dev/null
  echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores; $(uptime)"
}
