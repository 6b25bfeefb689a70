"""The worker: arq jobs that fetch a pull request from GitHub, run the core and post the results."""
