"""What codi knows about Dockerfiles and the ecosystems they build: package managers, images, stages, stacks.

Shared by the lint rules (`codi/rules`) and the optimiser (`codi/pipeline/optimize`); pure data and functions.
"""
