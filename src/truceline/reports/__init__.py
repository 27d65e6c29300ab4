"""Reports built from the read models and rendered for people: the compliance report (HTML, PDF), its
charts, the list downloads (CSV, GeoJSON) and the findings feed (Atom). Nothing here writes a record."""
