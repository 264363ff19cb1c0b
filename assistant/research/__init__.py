"""Research-grade annotation data: export and import formats, review and relabel, studies with many participants."""
