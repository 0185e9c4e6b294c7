"""The numpy engine: recurrent cells and layers with hand-written backpropagation through time.

It imports numpy and nothing else. Modules:

- ``cells``: one description per cell type (gate names and order, blocks, parameter count).
- ``rnn``, ``lstm``, ``gru``: each cell's step forward/backward pair and its readable loop through
  time; ``_fast_rnn``, ``_fast_lstm``, ``_fast_gru``: the optimised sequence paths beside them,
  tested equal to the loops.
- ``recurrent``: ``Recurrent``, a layer with the interface and numbers of torch.nn.RNN/LSTM/GRU.
- ``layers``: embedding, per-step affine map, losses and dropout, as forward/backward pairs.
- ``functional``: stable activations, their derivatives from cached outputs, and where truncated
  BPTT cuts the gradient.
- ``validate``: every argument check of the engine, with errors that name the argument, and the
  dtype policy.
- ``optim``: SGD, momentum, Adam and gradient-norm clipping for dicts of arrays.
- ``gradcheck``: centred-difference gradients and the relative error that compares them.
- ``diagnostics``: gradient flow through time (Jacobian products, norms against distance).
- ``charmodel``: a character-level language model trained entirely in numpy.

Alignment-free labelling (the CTC chapter):

- ``ctc``: the CTC loss and its gradient, with the alpha/beta recursions in log space.
- ``ctc_paths``: alignments, the collapse rule and the shortest input a labelling needs.
- ``ctc_decode``: best-path decoding and prefix beam search.

Linear recurrences (the chapter on state-space models):

- ``linear_recurrence``: h_t = a_t * h_{t-1} + b_t as a loop and as a parallel scan, and its
  backward pass.
- ``ssm``: a diagonal state-space model, discretised, in its recurrent and convolution views.
- ``lru``: the Linear Recurrent Unit; ``selective``: a selective SSM in the manner of Mamba's S6.
- ``linear_attention``: causal linear attention, parallel and as an RNN with a matrix state.
- ``recall_capacity``: how many key-value pairs a fixed-size state can recall.
- ``params``: the shape check the layers above share for their parameter tables.
"""
