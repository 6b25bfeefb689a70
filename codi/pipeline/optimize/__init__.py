"""The optimiser: up to three better Dockerfiles for one Dockerfile, each checked and estimated.

1. Stack detection (`stack.py`) and start-command analysis (`start.py`).
2. Candidates in strategy order: `fixes` (the original with every safe fix
   applied, layout kept), `slim` (the original's stages kept: slimmer base,
   consolidated package layers, build tools and caches out of the image,
   `strategies/slim.py`), then `multi-stage` and `minimal` rendered from the
   rules catalog's templates and modules (`strategies/render.py`).
3. Each candidate must pass the preservation check (`preservation.py`) against
   the original, or it is rejected with what it changes. At most three are
   emitted: fixes first, then the structural ones. `slim` and the
   restructuring strategies do not both come out: when `multi-stage` or
   `minimal` made a candidate that passed, `slim` is rejected as superseded
   (they already put the runtime on a slim or distroless base); `slim` is
   what a Dockerfile gets when codi cannot restructure it (already
   multi-stage, a packaging image, a RUN codi cannot place).
4. Every candidate carries its dry-run size/layer estimate (`estimate.py`),
   computed where the candidate is made.

Pure: text in, data out; the build context comes in as a mapping of paths to
contents. The same input gives the same result, byte for byte.
"""
