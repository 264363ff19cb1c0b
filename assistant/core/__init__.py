"""The ground floor: the Event and Proposal types, config and its schema, paths."""
