"""Reading and checking the files a project is made of: YAML, Turtle, source records and texts, claim files."""
