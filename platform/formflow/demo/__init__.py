"""Data of the demo company (示例科技有限公司), loaded by ``formflow demo`` and ``serve --demo``."""
