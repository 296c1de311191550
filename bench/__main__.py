import sys

if len(sys.argv) > 1 and sys.argv[1] == "portal":   # python -m bench portal [...]: bench/portal.py
    from bench.portal import main as portal_main
    sys.exit(portal_main(sys.argv[2:]))

from bench.run import main

sys.exit(main())
