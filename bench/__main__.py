import sys

if len(sys.argv) > 1 and sys.argv[1] == "portal":   # python -m bench portal [...]: bench/portal.py
    from bench.portal import main as portal_main
    sys.exit(portal_main(sys.argv[2:]))

from bench.run import main

if sys.argv[1:2] == ["budget"]:  # issue 11: python -m bench budget [--rows N]
    from bench import budget

    sys.exit(budget.main(sys.argv[2:]))
sys.exit(main())
