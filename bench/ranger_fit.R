# ranger per-tree fit time on the SMOTE'd training matrix exported by
# bench_iteration --export-train (issue 5). Usage: Rscript ranger_fit.R train.csv repeats
suppressMessages(library(ranger))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
d$label <- factor(d$label)
repeats <- as.integer(args[2])
times <- numeric(repeats)
for (r in seq_len(repeats)) {
  t <- system.time(ranger(label ~ ., data = d, num.trees = 100, mtry = 5, min.node.size = 1,
                          replace = TRUE, sample.fraction = 1, splitrule = "gini",
                          num.threads = 1, seed = r, write.forest = TRUE))
  times[r] <- t[["elapsed"]]
  cat(sprintf("repeat %d fit %.6f\n", r - 1, times[r]))
}
cat(sprintf("median_fit %.6f\nmedian_fit_per_tree %.8f\n", median(times), median(times) / 100))
