path "x" { max_wrapping_ttl = 1.5e3 min_wrapping_ttl = -0x1F capabilities = [] }
