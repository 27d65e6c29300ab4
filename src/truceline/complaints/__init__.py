"""Party complaints about alleged violations, and the accused party's right of reply."""
