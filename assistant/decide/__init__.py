"""The decision chain: narrator -> policy -> candidates -> judge -> decision, built by `build.build_chain`."""
