package custom.lib.util

x := 1
