# Store: the LMDB layer under pot-chaind and the tools that read its state.
target_sources(pot_common PRIVATE ${CMAKE_CURRENT_LIST_DIR}/store.cpp)
target_link_libraries(pot_common PUBLIC PkgConfig::LMDB)
