"""Cross-group comparison: what sets each locality apart, and what it copies.

Submodules, one job each:

``profile``     size, lexical diversity, formulaic and quantified shares, people and places per group
``keyness``     distinctive vocabulary: G², χ² with effect sizes, log-odds with an informative prior
``similarity``  document and group similarity (TF-IDF cosine, topic Jensen–Shannon), clustering
``reuse``       passages shared between documents, coverage, formula vs template reuse
``claims``      quantified claims (number + measure word + object), numerals parsed
``timeline``    dated events, years resolved from context, mobilisation lag
``plots``       figures built from the tables above
"""
