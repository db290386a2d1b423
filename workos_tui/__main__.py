from workos_tui.cli import main

raise SystemExit(main())
