path "a\"b\\c\u00e9\n" { capabilities = ["read"] }
