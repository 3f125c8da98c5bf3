"""The parts a framework ships or leaves to you, compared: footprint, HTTP contract, ORMs, validators, timing."""
