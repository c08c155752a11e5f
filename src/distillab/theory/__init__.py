"""Theory engines, one module per paper: pure numpy/scipy functions that return predictors."""
