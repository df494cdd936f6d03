"""Questions asked of the graph: causal paths (in memory or in a store), loops, explanations, search, tensions, counts, views, SPARQL."""
