"""What govkg writes for people and other tools: reports, citations, tables, the page, figures, the build."""
