import sys

from planning.batch.cli import main

sys.exit(main())
