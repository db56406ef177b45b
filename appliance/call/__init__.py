"""One call's life: turn-taking, barge-in, playback, and the record it leaves."""
