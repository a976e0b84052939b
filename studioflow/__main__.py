from studioflow.cli import main

raise SystemExit(main())
