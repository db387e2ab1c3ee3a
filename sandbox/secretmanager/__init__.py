"""GCP Secret Manager v1 over REST, as the official client meets it (see ``app``)."""
