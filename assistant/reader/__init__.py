"""The note reader: spaCy pipeline components, rule data and fact assembly."""
