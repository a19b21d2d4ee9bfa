"""Clone-note detection: normalised shingles, MinHash LSH, exact Jaccard, flags with evidence."""
