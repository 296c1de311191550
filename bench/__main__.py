import sys

from bench.run import main

if sys.argv[1:2] == ["budget"]:  # issue 11: python -m bench budget [--rows N]
    from bench import budget

    sys.exit(budget.main(sys.argv[2:]))
sys.exit(main())
