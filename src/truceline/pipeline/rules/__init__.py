"""Rules as data for the extractor (JSON/CSV); read through `truceline.pipeline.lexicons`."""
