# Store: the LMDB layer.
pot_add_test(store_test SOURCES store_test.cpp LIBS pot::common LABELS net)
