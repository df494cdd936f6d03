"""Where SPARQL runs: the cache, the rdflib and Oxigraph stores, remote endpoints, and the local endpoint; answers as neutral Results."""
