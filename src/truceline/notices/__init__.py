"""Notices to a party's liaison (a complaint against it, a reply reminder), and their read receipts."""
