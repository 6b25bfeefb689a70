import sys

from codi.cli.main import main

sys.exit(main())
