# Network: ZeroMQ transport, the employer's repository, gossip, chaind and its sync.
target_sources(pot_common PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/net.cpp
  ${CMAKE_CURRENT_LIST_DIR}/peer_guard.cpp
  ${CMAKE_CURRENT_LIST_DIR}/repo.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gossip.cpp
  ${CMAKE_CURRENT_LIST_DIR}/chaind.cpp
  ${CMAKE_CURRENT_LIST_DIR}/chain_sync.cpp)
target_link_libraries(pot_common PUBLIC PkgConfig::ZMQ)
