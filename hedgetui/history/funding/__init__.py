"""Funding history: each venue's public funding-rate history and an account's realised
funding payments, fetched over REST, cached on disk, kept up to date by a service."""
