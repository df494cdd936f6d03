"""The resolved graph: concepts, claims, sources and works, and the names that find them."""
