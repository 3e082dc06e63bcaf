# Consensus: ledger, PoS, declarations, headers, PoA, blocks, validation, fork choice.
target_sources(pot_common PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/block.cpp
  ${CMAKE_CURRENT_LIST_DIR}/chain_view.cpp
  ${CMAKE_CURRENT_LIST_DIR}/declaration.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fork_choice.cpp
  ${CMAKE_CURRENT_LIST_DIR}/genesis.cpp
  ${CMAKE_CURRENT_LIST_DIR}/header.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ledger.cpp
  ${CMAKE_CURRENT_LIST_DIR}/poa.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pos.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rewards.cpp
  ${CMAKE_CURRENT_LIST_DIR}/transaction.cpp
  ${CMAKE_CURRENT_LIST_DIR}/validate.cpp)
# Option glue for the consensus tools needs CLI11, so it lives in the tool library.
target_sources(pot_tool PRIVATE ${CMAKE_CURRENT_LIST_DIR}/chain_args.cpp)
