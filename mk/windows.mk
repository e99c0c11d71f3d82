# Windows build with MinGW-w64 (make windows): the core, the CLI and the conformance runner as
# .exe files in build/win/. Owned by the Windows port.
