path "x" { a = { b = { c = [[["read"]]] } } }
