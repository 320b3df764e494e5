"""Email digests: select the new articles, render them, deliver them once, remember it.

``run_digest`` (in ``feeds.digest.run``) is the job the CLI and the scheduler call.
"""
