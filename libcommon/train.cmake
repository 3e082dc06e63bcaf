# Training area: dataset readers, architectures and compute profiles in pot_common
# (no torch); the stage function, partition and selfcheck in pot_train (libtorch).
find_package(ZLIB REQUIRED)
target_sources(pot_common PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/architecture.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset.cpp
  ${CMAKE_CURRENT_LIST_DIR}/profile.cpp)
target_link_libraries(pot_common PRIVATE ZLIB::ZLIB)

if(POT_WITH_TORCH)
  find_package(Torch REQUIRED)
  # Only train.cpp includes libtorch: it is the slow file to compile.
  add_library(pot_train STATIC
    ${CMAKE_CURRENT_LIST_DIR}/train.cpp
    ${CMAKE_CURRENT_LIST_DIR}/train_selfcheck.cpp
    ${CMAKE_CURRENT_LIST_DIR}/partition.cpp)
  add_library(pot::train ALIAS pot_train)
  target_link_libraries(pot_train PUBLIC pot::common PRIVATE pot::warnings)
  target_link_libraries(pot_train PRIVATE ${TORCH_LIBRARIES})
  # Torch headers trip -Wpedantic; keep the warnings for our code elsewhere.
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/train.cpp PROPERTIES
    COMPILE_OPTIONS "-Wno-pedantic")
endif()
