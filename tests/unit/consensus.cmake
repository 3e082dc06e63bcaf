# Consensus unit tests: one binary per module, sharing a small real-chain fixture.
foreach(t ledger genesis pos poa rewards fork_choice validate chain_view header)
  pot_add_test(${t}_test SOURCES ${t}_test.cpp LIBS pot::common LABELS consensus)
endforeach()
