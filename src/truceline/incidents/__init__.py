"""Clusters of claims about one real happening, with canonical fields and corroboration."""
