"""The model as RDF: the namespaces, the one emitter of quads and its writers, SHACL and SPARQL checks."""
