"""Intake: turning files, URLs and feeds into SourceDocument values (the fetch/normalize stage)."""
