"""The transparency log: pure formats and proofs (encoding, merkle, signing, notes, logfile, logcheck)
and tables."""
