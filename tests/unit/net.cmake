# Network: ZeroMQ transport, repository, gossip.
pot_add_test(repo_test SOURCES repo_test.cpp LIBS pot::common LABELS net)
pot_add_test(gossip_test SOURCES gossip_test.cpp LIBS pot::common LABELS net)
pot_add_test(chaind_test SOURCES chaind_test.cpp LIBS pot::common LABELS net)
pot_add_test(peer_guard_test SOURCES peer_guard_test.cpp LIBS pot::common LABELS net)
