# Core: hashing, keys, canonical encoding, message I/O, targets, JSON.
target_sources(pot_common PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/canonical.cpp
  ${CMAKE_CURRENT_LIST_DIR}/crypto.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fileio.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hash.cpp
  ${CMAKE_CURRENT_LIST_DIR}/inspect.cpp
  ${CMAKE_CURRENT_LIST_DIR}/json.cpp
  ${CMAKE_CURRENT_LIST_DIR}/message_io.cpp
  ${CMAKE_CURRENT_LIST_DIR}/signatures.cpp
  ${CMAKE_CURRENT_LIST_DIR}/strict_schema.cpp
  ${CMAKE_CURRENT_LIST_DIR}/target.cpp)
