"""The closed vocabularies of claims and sources, declared once (kg.inputs.schema builds the record declarations on them)."""

RELATIONS = ("causes", "form-of", "part-of", "aim", "definition")
EVIDENCE_KINDS = ("argument", "case", "interview", "observation", "example", "citation")
LEVELS = ("central", "province", "city", "county", "township", "sub-district", "village")
POLARITY_WORDS = ("positive", "negative", "+", "-", "−")
CERTAINTIES = ("possibly", "likely", "asserted", "necessarily")  # in rising order
MODALITIES = ("obligation", "necessity")
SOURCE_KINDS = ("book", "book-excerpt", "reading-notes", "article")
SOURCE_RELATIONS = ("excerpt", "notes")
