# Training area unit tests: torch-free modules link pot::common, the stage function pot::train.
find_package(ZLIB REQUIRED)
pot_add_test(dataset_test SOURCES dataset_test.cpp LIBS pot::common ZLIB::ZLIB LABELS train)
pot_add_test(profile_test SOURCES profile_test.cpp LIBS pot::common LABELS train)
if(POT_WITH_TORCH)
  pot_add_test(partition_test SOURCES partition_test.cpp LIBS pot::train LABELS train)
  pot_add_test(train_test SOURCES train_test.cpp LIBS pot::train LABELS train)
endif()
